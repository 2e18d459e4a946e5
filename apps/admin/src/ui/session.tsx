/**
 * The signed-in admin, shared by every screen. The session decides what the app shows: the first-run
 * form, the sign-in form or the app; a 401 from any request drops back to sign-in.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { type ApiError, api, onUnauthenticated, setCsrfToken } from './api.js';
import type { Session } from './api-types.js';
import { toApiError } from './hooks.js';

/** What screens can read and do with the session. */
export interface SessionState {
  session: Session | undefined;
  error: ApiError | undefined;
  /** Reads the session again (after sign-in, setup or sign-out: the CSRF token may change). */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** Loads `GET /api/session` once and keeps it current. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const refresh = useCallback(async () => {
    try {
      const next = await api.session();
      setCsrfToken(next.csrfToken);
      setSession(next);
      setError(undefined);
    } catch (failure) {
      setError(toApiError(failure));
    }
  }, []);

  useEffect(() => {
    void refresh();
    // The session expired or was revoked: forget the user, fetch a fresh CSRF token for sign-in.
    return onUnauthenticated(() => {
      setSession((current) => (current ? { ...current, user: null } : current));
      void refresh();
    });
  }, [refresh]);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      await refresh();
    }
  }, [refresh]);

  return (
    <SessionContext.Provider value={{ session, error, refresh, signOut }}>{children}</SessionContext.Provider>
  );
}

/** The session; only inside {@link SessionProvider}. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession is used outside SessionProvider');
  return state;
}
