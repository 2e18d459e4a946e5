/**
 * Data loading for screens: one hook that fetches, remembers the error and reloads on demand, and
 * one that debounces a value, so each screen does not rebuild the same state machine.
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.js';

/** The state of a load. */
export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again (after a save, a delete…). */
  reload: () => void;
  /** Replaces the data without a request (the answer of a save already holds it). */
  setData: (data: T) => void;
}

/** Turns anything thrown into an {@link ApiError} so screens show one kind of error. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError('UNEXPECTED_RESPONSE', error instanceof Error ? error.message : String(error), 0);
}

/**
 * Runs `load` when the dependencies change (not at all when `load` is null) and ignores answers that
 * arrive after a newer load started, so switching journeys quickly never shows the older one.
 */
export function useResource<T>(load: (() => Promise<T>) | null, dependencies: DependencyList): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(load !== null);
  const [generation, setGeneration] = useState(0);
  const latest = useRef(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` reads.
  useEffect(() => {
    if (!load) {
      setData(undefined);
      setLoading(false);
      return;
    }
    const ticket = ++latest.current;
    setLoading(true);
    setError(undefined);
    load().then(
      (value) => {
        if (ticket !== latest.current) return;
        setData(value);
        setLoading(false);
      },
      (failure: unknown) => {
        if (ticket !== latest.current) return;
        setError(toApiError(failure));
        setLoading(false);
      },
    );
  }, [...dependencies, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload, setData };
}

/** `value`, once it has not changed for `delay` milliseconds. */
export function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setDebounced(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

/** The state of one button's action: running, and its last error. */
export interface Action {
  running: boolean;
  error: ApiError | undefined;
  /** Runs `task` unless one is running; errors are kept, not thrown. Resolves with the result or undefined. */
  run: <T>(task: () => Promise<T>) => Promise<T | undefined>;
  clearError: () => void;
}

/** For buttons that call the server: disables double submits and keeps the error to show inline. */
export function useAction(): Action {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const busy = useRef(false);
  const run = useCallback(async <T>(task: () => Promise<T>): Promise<T | undefined> => {
    if (busy.current) return undefined;
    busy.current = true;
    setRunning(true);
    setError(undefined);
    try {
      return await task();
    } catch (failure) {
      setError(toApiError(failure));
      return undefined;
    } finally {
      busy.current = false;
      setRunning(false);
    }
  }, []);
  const clearError = useCallback(() => setError(undefined), []);
  return { running, error, run, clearError };
}
