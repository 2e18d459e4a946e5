/**
 * Client-side routing on the history API: the server answers index.html for every non-API path, so
 * a URL can be bookmarked, reloaded and shared. Small on purpose; the app has a handful of routes.
 */
import { type AnchorHTMLAttributes, type MouseEvent, useCallback, useSyncExternalStore } from 'react';

const NAVIGATE_EVENT = 'milepost:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentLocation = (): string => window.location.pathname + window.location.search;

/** Goes to `to` (path and query); `replace` keeps the back button on the previous page. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentLocation()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const location = useSyncExternalStore(subscribe, currentLocation);
  const [path = '/', search = ''] = location.split('?');
  return { path, search: new URLSearchParams(search) };
}

/**
 * One query parameter as state. Writing it replaces the history entry, because picking a journey or
 * connection in a form is not a page the back button should step through.
 */
export function useSearchParam(name: string): [string, (value: string) => void] {
  const { search } = useLocation();
  const value = search.get(name) ?? '';
  const setValue = useCallback(
    (next: string) => {
      const parameters = new URLSearchParams(window.location.search);
      if (next === '') parameters.delete(name);
      else parameters.set(name, next);
      const text = parameters.toString();
      navigate(`${window.location.pathname}${text ? `?${text}` : ''}`, { replace: true });
    },
    [name],
  );
  return [value, setValue];
}

/**
 * Matches `path` against a pattern like `/journeys/:key/map`; returns the decoded parameters or
 * null. Pure, so the route table can be tested without a browser.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const patternParts = pattern.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  if (patternParts.length !== pathParts.length) return null;
  const parameters: Record<string, string> = {};
  for (let index = 0; index < patternParts.length; index++) {
    const expected = patternParts[index]!;
    const actual = pathParts[index]!;
    if (expected.startsWith(':')) {
      try {
        parameters[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) return null;
  }
  return parameters;
}

/** Props of {@link Link}. */
export interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  to: string;
}

/** An anchor that navigates without reloading; modified clicks (new tab) keep the browser's way. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handleClick} {...rest} />;
}
