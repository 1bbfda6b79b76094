const ANY = /^/;

/**
 * The same string, flattened in place. V8 keeps a string built by concatenation as a tree
 * of its pieces (a UUID from randomUUID is about twenty of them, a response's header block
 * one per header line) until something needs it flat; a regular expression's subject is
 * flattened, and the tree's nodes freed. Worth it for strings held as long as a connection.
 */
export function flatString(value: string): string {
  ANY.test(value);
  return value;
}
