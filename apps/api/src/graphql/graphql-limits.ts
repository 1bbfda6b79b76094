import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type InlineFragmentNode,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { GraphqlSettings } from '#platform';

/** A list without a `limit` argument is counted as this many items (the list routes' own cap). */
export const DEFAULT_LIST_SIZE = 100;

interface Measure {
  readonly depth: number;
  readonly cost: number;
}

/**
 * Depth and cost of each operation, checked before anything runs. Depth counts nested
 * fields; cost is one per field, times the size of every list around it (`limit` when the
 * field takes one, else DEFAULT_LIST_SIZE). Introspection (`__schema`, `__type`,
 * `__typename`) is free: tools may always read the schema.
 */
export function limitsRule(limits: GraphqlSettings): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const root =
        node.operation === 'query'
          ? context.getSchema().getQueryType()
          : node.operation === 'subscription'
            ? context.getSchema().getSubscriptionType()
            : context.getSchema().getMutationType();
      if (!root) return;
      const { depth, cost } = measure(context, node.selectionSet, root.getFields(), new Set(), null);
      const name = node.name ? ` ${node.name.value}` : '';
      if (depth > limits.maxDepth)
        context.reportError(
          new GraphQLError(`operation${name} is ${depth} fields deep; at most ${limits.maxDepth} are allowed`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_DEEP', depth, max_depth: limits.maxDepth },
          }),
        );
      if (cost > limits.maxCost)
        context.reportError(
          new GraphQLError(
            `operation${name} costs ${cost}; at most ${limits.maxCost} is allowed (ask for fewer fields or a smaller limit)`,
            { nodes: [node], extensions: { code: 'QUERY_TOO_COSTLY', cost, max_cost: limits.maxCost } },
          ),
        );
    },
  });
}

type Fields = Readonly<Record<string, GraphQLField<unknown, unknown>>>;

/**
 * `limit` is the list size a field's argument sets for the first list below it (a page's
 * `items`), null when none does.
 */
function measure(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  fields: Fields,
  fragments: ReadonlySet<string>,
  limit: number | null,
): Measure {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    let inner: Measure | null = null;
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__'))
        inner = fieldMeasure(context, selection, fields[selection.name.value], fragments, limit);
    } else {
      const spread = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
      const fragment: InlineFragmentNode | FragmentDefinitionNode | null =
        selection.kind === Kind.INLINE_FRAGMENT ? selection : (context.getFragment(selection.name.value) ?? null);
      // A spread of a fragment already being measured is a cycle, which validation refuses anyway.
      if (fragment && !(spread !== null && fragments.has(spread))) {
        const typeName = fragment.typeCondition?.name.value;
        const type = typeName ? context.getSchema().getType(typeName) : null;
        const typeFields = type && 'getFields' in type ? (type.getFields() as Fields) : fields;
        const seen = spread === null ? fragments : new Set([...fragments, spread]);
        inner = measure(context, fragment.selectionSet, typeFields, seen, limit);
      }
    }
    if (!inner) continue;
    depth = Math.max(depth, inner.depth);
    cost += inner.cost;
  }
  return { depth, cost };
}

function fieldMeasure(
  context: ValidationContext,
  node: FieldNode,
  field: GraphQLField<unknown, unknown> | undefined,
  fragments: ReadonlySet<string>,
  inherited: number | null,
): Measure {
  if (!field || !node.selectionSet) return { depth: 1, cost: 1 };
  const limit = limitOf(node) ?? inherited;
  const isList = isListType(getNullableType(field.type));
  const named = getNamedType(field.type);
  const childFields = 'getFields' in named ? (named.getFields() as Fields) : {};
  const child = measure(context, node.selectionSet, childFields, fragments, isList ? null : limit);
  const size = isList ? (limit ?? DEFAULT_LIST_SIZE) : 1;
  return { depth: child.depth + 1, cost: 1 + size * child.cost };
}

/** The `limit` argument: its literal, else (a variable) the most it may be. */
function limitOf(node: FieldNode): number | null {
  const limit = node.arguments?.find((argument) => argument.name.value === 'limit')?.value;
  if (!limit) return null;
  return limit.kind === Kind.INT ? Number(limit.value) : DEFAULT_LIST_SIZE;
}
