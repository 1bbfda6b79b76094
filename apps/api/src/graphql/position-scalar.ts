import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';

const DIGITS = /^\d+$/;

/** A revision or position as a number, or null when `value` is none (negative, fractional, past 2^53 − 1, not numeric). */
function positionOf(value: unknown): number | null {
  const number = typeof value === 'string' && DIGITS.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : null;
}

const refused = (what: string): GraphQLError =>
  new GraphQLError(
    `Position must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER} (a number or a string of digits), not ${what}`,
  );

const described = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(value));

function checked(value: unknown): number {
  const position = positionOf(value);
  if (position === null) throw refused(described(value));
  return position;
}

/**
 * An event's revision in its stream or its global position: GraphQL's Int stops at 2^31 − 1,
 * which a store's global position passes. Sent as a JSON number; read from a number or a
 * string of digits (for clients whose numbers are 32-bit).
 */
export const GraphQLPosition = new GraphQLScalarType<number, number>({
  name: 'Position',
  description: `An event's revision or global position: a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, sent as a JSON number, accepted as a number or a string of digits.`,
  serialize: checked,
  parseValue: checked,
  parseLiteral: (node: ValueNode) => {
    // An Int literal keeps all its digits (GraphQL's lexer has no size limit); a String literal is its text.
    const given = node.kind === Kind.INT ? Number(node.value) : node.kind === Kind.STRING ? node.value : null;
    const position = positionOf(given);
    if (position === null) throw refused(print(node));
    return position;
  },
});
