import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
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
      // The file holds client secrets and tokens: owner-only (0600), in an owner-only directory when the
      // sandbox creates it (0700). A fresh temp file ('wx') gets the mode even over a leftover one.
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      rmSync(tmp, { force: true });
      writeFileSync(tmp, JSON.stringify(state), { mode: 0o600, flag: 'wx' });
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
    throw new Error(`Google sandbox state file ${file} is not valid: ${parsed.error.message}`);
  }
  return parsed.data;
}
