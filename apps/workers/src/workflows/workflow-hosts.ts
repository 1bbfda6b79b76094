import { chatInvestigationFollowingWorkflow } from '#chat';
import {
  WorkflowHost,
  type EventStore,
  type HostedRunner,
  type ReadModelStore,
  type WorkflowCommand,
  type WorkflowOutbox,
} from '#eventsourcing';
import { investigationRunWorkflow } from '#investigations';
import { deterministicUuid, type CommandBus, type Logger } from '#platform';

export interface WorkflowHostsDeps {
  readonly store: EventStore;
  readonly readModels: ReadModelStore;
  readonly bus: CommandBus;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/** Where hosts run: all in this process, or each in whichever worker holds its lease. */
export type RunWorkflows = (hosts: readonly HostedRunner[]) => { stop(): Promise<void> };

export const runHere: RunWorkflows = (hosts) => {
  for (const host of hosts) host.start();
  return { stop: async () => void (await Promise.all(hosts.map((host) => host.stop()))) };
};

/**
 * The command bus as a workflow's outbox: the command id is derived from the output's
 * key, so a replayed input is refused by the bus's deduplication instead of sent again.
 */
export function busOutbox<Output extends WorkflowCommand>(bus: CommandBus, clock: () => Date): WorkflowOutbox<Output> {
  return {
    send: async ({ command, key, causation }) => {
      await bus.send({
        target: command.to,
        command: {
          type: command.type,
          data: command.data,
          metadata: { ...causation, commandId: deterministicUuid('workflow', key), issuedAt: clock().toISOString() },
        },
      });
    },
  };
}

/** The workflows of the workers: the investigation run, and the chat's telling of an investigation. */
export function createWorkflowHosts(deps: WorkflowHostsDeps): HostedRunner[] {
  const logger = deps.logger.child({ component: 'workflows' });
  const common = {
    store: deps.store,
    readModels: deps.readModels,
    clock: deps.clock,
    onError: (error: unknown, workflow: string) =>
      logger.warn({ err: error, workflow }, 'workflow run failed; trying again'),
  };
  return [
    new WorkflowHost({ ...common, workflow: investigationRunWorkflow, outbox: busOutbox(deps.bus, deps.clock) }),
    new WorkflowHost({
      ...common,
      workflow: chatInvestigationFollowingWorkflow,
      outbox: busOutbox(deps.bus, deps.clock),
    }),
  ];
}
