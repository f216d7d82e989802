import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StateSchema, type State } from './state.ts';

export interface Store {
  state: State;
  /** Persists the current state; called after every mutation. */
  save(): void;
  replace(next: State): void;
}

export function createStore(file: string | undefined, fresh: () => State): Store {
  let state = file && existsSync(file) ? load(file) : fresh();
  const store: Store = {
    get state() {
      return state;
    },
    save() {
      if (!file) return;
      // Write-then-rename so a crash mid-write never leaves a truncated state file.
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, file);
    },
    replace(next) {
      state = next;
      store.save();
    },
  };
  store.save();
  return store;
}

function load(file: string): State {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const parsed = StateSchema.safeParse(raw);
  if (!parsed.success) {
    // Refuse to silently wipe a demo's connected organization.
    throw new Error(`Zoom sandbox state file ${file} is not valid: ${parsed.error.message}`);
  }
  return parsed.data;
}
