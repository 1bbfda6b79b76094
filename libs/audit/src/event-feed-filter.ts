/** The part of a stream id before its first '-': `investigation-<uuid>` is in `investigation`. */
export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

/** Empty sets match everything. */
export interface EventFeedFilter {
  readonly categories: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/** A comma-separated query value as a set; null names the first invalid item. */
export function parseNameList(
  raw: string | undefined,
): { readonly names: ReadonlySet<string> } | { readonly invalid: string } {
  const items = (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const invalid = items.find((item) => !NAME.test(item));
  return invalid === undefined ? { names: new Set(items) } : { invalid };
}

export function matchesFeedFilter(
  event: { readonly streamId: string; readonly type: string },
  filter: EventFeedFilter,
): boolean {
  if (filter.categories.size > 0 && !filter.categories.has(categoryOf(event.streamId))) return false;
  return filter.types.size === 0 || filter.types.has(event.type);
}
