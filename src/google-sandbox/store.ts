import { createStore as createKitStore, type Store as KitStore } from '../sandbox-kit/store.ts';
import { StateSchema, type State } from './state.ts';

export type Store = KitStore<State>;

export const createStore = (file: string | undefined, fresh: () => State): Store => createKitStore({ file, fresh, schema: StateSchema, name: 'Google sandbox' });
