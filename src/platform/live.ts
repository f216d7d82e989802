import { randomBytes } from 'node:crypto';
import type { Database } from './db/client.ts';

/** The channel the database triggers notify (drizzle/0004): the payload is an incident id. */
export const INCIDENT_CHANNEL = 'runframe_incident';
/** Recent changes remembered, so a reconnecting watcher learns what it missed without a query. */
const REMEMBERED = 2000;

export type Watcher = () => void;

/**
 * Live updates for open incident pages. Every process LISTENs once; each notification wakes the
 * watchers of that incident in this process (no query for idle watchers). Positions
 * (`<process>-<n>`) let a page or a reconnecting stream ask "did my incident change since?".
 */
export interface LiveHub {
  /** Where the change feed is now: embed it in a page, pass it back when the stream opens. */
  position(): string;
  /** True if the incident changed after `since`, or if this process cannot tell (then the page refreshes once). */
  changedSince(incidentId: string, since: string | undefined): boolean;
  watch(incidentId: string, watcher: Watcher): () => void;
  watching(): number;
  close(): Promise<void>;
}

export async function startLiveHub(database: Pick<Database, 'listen'>, onError: (err: unknown) => void = () => {}): Promise<LiveHub> {
  const epoch = randomBytes(4).toString('hex');
  let counter = 0;
  const recent: { n: number; incidentId: string }[] = [];
  const watchers = new Map<string, Set<Watcher>>();
  let open = 0;
  // After a gap, positions from before it cannot be trusted: everything before `floor` counts as changed.
  let floor = 0;
  const wake = (incidentId: string) => {
    for (const w of watchers.get(incidentId) ?? []) {
      try {
        w();
      } catch (err) {
        onError(err);
      }
    }
  };
  const unlisten = await database.listen(
    INCIDENT_CHANNEL,
    (incidentId) => {
      counter += 1;
      recent.push({ n: counter, incidentId });
      if (recent.length > REMEMBERED) recent.shift();
      wake(incidentId);
    },
    () => {
      counter += 1;
      floor = counter;
      for (const id of watchers.keys()) wake(id);
    },
  );
  return {
    position: () => `${epoch}-${counter}`,
    changedSince(incidentId, since) {
      const m = /^([0-9a-f]{8})-(\d+)$/.exec(since ?? '');
      if (!m || m[1] !== epoch) return true;
      const n = Number(m[2]);
      const oldest = recent[0]?.n ?? counter + 1;
      if (n < floor || n < oldest - 1) return true;
      return recent.some((r) => r.n > n && r.incidentId === incidentId);
    },
    watch(incidentId, watcher) {
      let set = watchers.get(incidentId);
      if (!set) watchers.set(incidentId, (set = new Set()));
      set.add(watcher);
      open += 1;
      return () => {
        if (!set.delete(watcher)) return;
        open -= 1;
        if (set.size === 0) watchers.delete(incidentId);
      };
    },
    watching: () => open,
    close: () => unlisten(),
  };
}
