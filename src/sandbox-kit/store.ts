import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';

export interface Store<S> {
  state: S;
  /** Persists the current state; called after every mutation. */
  save(): void;
  replace(next: S): void;
}

/** A sandbox's whole state, kept in memory and, with `file`, in a JSON file that survives restarts. */
export function createStore<S>(opts: { file: string | undefined; fresh: () => S; schema: z.ZodType<S>; name: string }): Store<S> {
  const { file } = opts;
  let state = file && existsSync(file) ? load(file, opts.schema, opts.name) : opts.fresh();
  const store: Store<S> = {
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

function load<S>(file: string, schema: z.ZodType<S>, name: string): S {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    // Refuse to silently wipe a demo's connected organization.
    throw new Error(`${name} state file ${file} is not valid: ${parsed.error.message}`);
  }
  return parsed.data;
}
