import { Inject, Injectable } from '@nestjs/common';
import {
  GraphQLError,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { z } from 'zod';
import type { GraphqlSettings, Principal } from '#platform';
import { SETTINGS } from '../tokens.js';
import { limitsRule } from './graphql-limits.js';
import { GraphqlOperationsService, type GraphqlContext } from './graphql-operations.js';
import { graphqlSchema } from './graphql-schema.js';

/** Where GraphQL is served: queries over HTTP, subscriptions over WebSocket (graphql-transport-ws). */
export const GRAPHQL_PATH = '/graphql';

/** A GraphQL request as GraphQL over HTTP sends it (POST body, or GET query with variables as JSON text). */
export const graphqlRequestSchema = z.strictObject({
  query: z
    .string({ message: 'query is required: the GraphQL document' })
    .min(1, 'query is required: the GraphQL document')
    .max(100_000, 'at most 100000 characters'),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().max(200).nullish(),
  extensions: z.record(z.string(), z.unknown()).nullish(),
});
export type GraphqlRequest = z.output<typeof graphqlRequestSchema>;

export interface GraphqlReply {
  readonly status: number;
  readonly body: ExecutionResult;
}

const requestError = (status: number, message: string, code: string): GraphqlReply => ({
  status,
  body: { errors: [new GraphQLError(message, { extensions: { code } })] },
});

/** The schema, its rules (the spec's and the depth and cost limits) and one HTTP request's run. */
@Injectable()
export class GraphqlEndpoint {
  readonly schema: GraphQLSchema;
  readonly rules: readonly ValidationRule[];

  constructor(operations: GraphqlOperationsService, @Inject(SETTINGS.graphql) limits: GraphqlSettings) {
    this.schema = graphqlSchema(operations);
    this.rules = [...specifiedRules, limitsRule(limits)];
  }

  /** The document, or the errors that refuse it before anything runs (parse, validation, limits). */
  check(query: string): DocumentNode | readonly GraphQLError[] {
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: 10_000 });
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : 'the query cannot be parsed';
      return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const errors = validate(this.schema, document, this.rules);
    return errors.length === 0
      ? document
      : errors.map((error) =>
          error.extensions.code === undefined
            ? new GraphQLError(error.message, {
                nodes: error.nodes ?? null,
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
              })
            : error,
        );
  }

  /** One query over HTTP: 400 for a request refused before it runs, else 200 with data and field errors. */
  async run(input: unknown, principal: Principal, method: 'GET' | 'POST'): Promise<GraphqlReply> {
    const parsed = graphqlRequestSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`);
      return requestError(400, `invalid GraphQL request: ${problems.join('; ')}`, 'VALIDATION_ERROR');
    }
    const request = parsed.data;
    const checked = this.check(request.query);
    if (!('kind' in checked)) return { status: 400, body: { errors: checked } };
    const operation = getOperationAST(checked, request.operationName ?? undefined);
    if (!operation)
      return requestError(400, 'name the operation to run with operationName', 'GRAPHQL_VALIDATION_FAILED');
    if (operation.operation === 'subscription')
      return requestError(
        400,
        `subscriptions are served over WebSocket at ${GRAPHQL_PATH} (subprotocol graphql-transport-ws)`,
        'SUBSCRIPTION_OVER_HTTP',
      );
    if (operation.operation !== 'query' && method === 'GET')
      return requestError(405, 'only queries may be sent with GET', 'METHOD_NOT_ALLOWED');
    const contextValue: GraphqlContext = { principal };
    const result = await execute({
      schema: this.schema,
      document: checked,
      contextValue,
      variableValues: request.variables ?? null,
      operationName: request.operationName ?? null,
    });
    return { status: 200, body: result };
  }
}
