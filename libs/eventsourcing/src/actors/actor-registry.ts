/**
 * Keeps live actors by id. Idle actors beyond `capacity` are dropped (least recently used
 * first); a dropped actor is rebuilt from its stream on its next command.
 */
export class ActorRegistry<A extends { readonly busy: boolean }> {
  private readonly actors = new Map<string, A>();

  constructor(
    private readonly create: (id: string) => A,
    private readonly capacity = 1000,
  ) {}

  get(id: string): A {
    const existing = this.actors.get(id);
    if (existing) {
      this.actors.delete(id);
      this.actors.set(id, existing);
      return existing;
    }
    const actor = this.create(id);
    this.actors.set(id, actor);
    this.evictIdle(id);
    return actor;
  }

  get size(): number {
    return this.actors.size;
  }

  /**
   * `kept` is the actor being handed out: it is idle until its caller posts to it, and
   * dropping it would let the next command for the same id build a second one.
   */
  private evictIdle(kept: string): void {
    if (this.actors.size <= this.capacity) return;
    for (const [id, actor] of this.actors) {
      if (this.actors.size <= this.capacity) return;
      if (!actor.busy && id !== kept) this.actors.delete(id);
    }
  }
}
