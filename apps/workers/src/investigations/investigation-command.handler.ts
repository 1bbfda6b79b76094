import { DomainError, type ActorRegistry, type Causation } from '#eventsourcing';
import type { InvestigationBusCommand, InvestigationCommand } from '#investigations';
import { PermanentCommandError, type CommandContext, type RoutedCommand } from '#platform';
import type { InvestigationActor } from './investigation.actor.js';
import type { InvestigationRunner } from './investigation-runner.js';

export interface InvestigationCommandHandlerDeps {
  readonly actors: ActorRegistry<InvestigationActor>;
  readonly runner: InvestigationRunner;
  readonly clock: () => Date;
  /** The notice an investigation starts with, for its data source (synthetic contracts standing in). */
  readonly sourceNotice?: (dataSource: string) => string | null;
}

/**
 * Routes the investigation commands that arrive over the bus to their actor or runner.
 * RunInvestigation is sent by the investigation-run workflow once the start is recorded.
 */
export class InvestigationCommandHandler {
  constructor(private readonly deps: InvestigationCommandHandlerDeps) {}

  async handle(message: RoutedCommand, context: CommandContext): Promise<void> {
    const command = message.command as InvestigationBusCommand & Pick<RoutedCommand['command'], 'metadata'>;
    const { commandId, correlationId, userId } = command.metadata;
    const causation: Causation = { commandId, correlationId, userId };
    const id = message.target.id;
    switch (command.type) {
      case 'StartInvestigation':
        return this.start(id, command, causation);
      case 'CancelInvestigation':
        await this.decide(id, { type: command.type, data: command.data, at: this.now(), userId }, causation);
        return;
      case 'RunInvestigation':
        return this.deps.runner.run(id, causation, context);
      default:
        throw new PermanentCommandError(
          `unknown investigation command ${JSON.stringify((command as { type: unknown }).type)}`,
        );
    }
  }

  private async start(
    id: string,
    command: Extract<InvestigationBusCommand, { type: 'StartInvestigation' }>,
    causation: Causation,
  ): Promise<void> {
    const notice = this.deps.sourceNotice?.(command.data.dataSource) ?? null;
    const data = notice === null ? command.data : { ...command.data, notice };
    await this.decide(id, { type: command.type, data, at: this.now(), userId: causation.userId }, causation);
  }

  private async decide(id: string, command: InvestigationCommand, causation: Causation) {
    try {
      return await this.deps.actors.get(id).handle(command, causation);
    } catch (error) {
      // A cancel may overtake the start it follows: not found is worth a redelivery.
      if (error instanceof DomainError && error.code !== 'INVESTIGATION_NOT_FOUND')
        throw new PermanentCommandError(error.message, { cause: error });
      throw error;
    }
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }
}
