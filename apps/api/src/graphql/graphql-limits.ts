import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
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
 * Depth, cost and aliases of each operation, checked before anything runs. Depth counts nested
 * fields; cost is one per field, times the size of every list around it (`limit` when the
 * field takes one, else DEFAULT_LIST_SIZE). Introspection (`__schema`, `__type`,
 * `__typename`) is free: tools may always read the schema. Fields asked for twice under one
 * name are resolved once, so only an alias asks for the same work again: aliases are counted
 * everywhere, introspection's too (a 20 KB query of 400 aliased `__schema`s was 2.5 MB of
 * answer and half a second of the event loop).
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
      const aliases = countAliases(context, node.selectionSet, new Set());
      if (aliases > limits.maxAliases)
        context.reportError(
          new GraphQLError(
            `operation${name} renames ${aliases} fields; at most ${limits.maxAliases} aliases are allowed`,
            { nodes: [node], extensions: { code: 'QUERY_TOO_MANY_ALIASES', aliases, max_aliases: limits.maxAliases } },
          ),
        );
    },
  });
}

type Fields = Readonly<Record<string, GraphQLField<unknown, unknown>>>;

/** The fragment a spread or inline fragment selects, null for a spread already being walked (a cycle). */
function fragmentOf(
  context: ValidationContext,
  selection: InlineFragmentNode | FragmentSpreadNode,
  fragments: ReadonlySet<string>,
): { readonly fragment: InlineFragmentNode | FragmentDefinitionNode; readonly seen: ReadonlySet<string> } | null {
  if (selection.kind === Kind.INLINE_FRAGMENT) return { fragment: selection, seen: fragments };
  const spread = selection.name.value;
  const fragment = context.getFragment(spread);
  // A cycle is refused by validation anyway.
  return fragment && !fragments.has(spread) ? { fragment, seen: new Set([...fragments, spread]) } : null;
}

/** Aliased fields of a selection, each fragment counted where it is spread. */
function countAliases(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  fragments: ReadonlySet<string>,
): number {
  let aliases = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases++;
      if (selection.selectionSet) aliases += countAliases(context, selection.selectionSet, fragments);
      continue;
    }
    const found = fragmentOf(context, selection, fragments);
    if (found) aliases += countAliases(context, found.fragment.selectionSet, found.seen);
  }
  return aliases;
}

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
      const found = fragmentOf(context, selection, fragments);
      if (found) {
        const typeName = found.fragment.typeCondition?.name.value;
        const type = typeName ? context.getSchema().getType(typeName) : null;
        const typeFields = type && 'getFields' in type ? (type.getFields() as Fields) : fields;
        inner = measure(context, found.fragment.selectionSet, typeFields, found.seen, limit);
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
