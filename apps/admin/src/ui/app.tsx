/**
 * The app shell: the session decides between first run, sign-in and the app; the app is a left
 * navigation, a header with the signed-in admin, and the screen the URL names.
 */
import { type ReactNode, useEffect, useRef } from 'react';
import { ErrorMessage, Loading } from './components.js';
import { Link, matchPath, navigate, useLocation } from './router.js';
import { ConnectionsScreen } from './screens/connections.js';
import { DashboardScreen } from './screens/dashboard.js';
import { FieldMappingScreen } from './screens/field-mapping.js';
import { InstallScreen } from './screens/install.js';
import { JourneyEditorScreen } from './screens/journey-editor.js';
import { JourneyMapScreen } from './screens/journey-map.js';
import { JourneysScreen } from './screens/journeys.js';
import { PlanScreen } from './screens/plan.js';
import { RunsScreen } from './screens/runs.js';
import { SignInScreen } from './screens/sign-in.js';
import { useSession } from './session.js';

interface Route {
  pattern: string;
  /** Which navigation entry is current on this route. */
  section: Section;
  render: (parameters: Record<string, string>) => ReactNode;
}

type Section = 'journeys' | 'connections' | 'dashboard' | 'runs';

const ROUTES: Route[] = [
  { pattern: '/journeys', section: 'journeys', render: () => <JourneysScreen /> },
  {
    pattern: '/journeys/:key',
    section: 'journeys',
    render: ({ key }) => <JourneyEditorScreen journeyKey={key!} key={key} />,
  },
  {
    pattern: '/journeys/:key/map',
    section: 'journeys',
    render: ({ key }) => <JourneyMapScreen journeyKey={key!} key={key} />,
  },
  {
    pattern: '/journeys/:key/mapping',
    section: 'journeys',
    render: ({ key }) => <FieldMappingScreen journeyKey={key!} key={key} />,
  },
  {
    pattern: '/journeys/:key/plan',
    section: 'journeys',
    render: ({ key }) => <PlanScreen journeyKey={key!} key={key} />,
  },
  { pattern: '/connections', section: 'connections', render: () => <ConnectionsScreen /> },
  { pattern: '/dashboard', section: 'dashboard', render: () => <DashboardScreen /> },
  { pattern: '/runs', section: 'runs', render: () => <RunsScreen /> },
  {
    pattern: '/installs/:hubId',
    section: 'connections',
    render: ({ hubId }) => <InstallScreen hubId={hubId!} />,
  },
];

const NAVIGATION: Array<{ section: Section; to: string; label: string }> = [
  { section: 'journeys', to: '/journeys', label: 'Journeys' },
  { section: 'connections', to: '/connections', label: 'Connections' },
  { section: 'dashboard', to: '/dashboard', label: 'Dashboard' },
  { section: 'runs', to: '/runs', label: 'Runs' },
];

/** The whole UI. */
export function App() {
  const { session, error, signOut } = useSession();
  const { path } = useLocation();

  useEffect(() => {
    if (path === '/' || path === '') navigate('/journeys', { replace: true });
  }, [path]);

  if (!session)
    return (
      <main className="sign-in">
        <h1>Milepost admin</h1>
        {error ? (
          <ErrorMessage error={error} title="The admin server did not answer." />
        ) : (
          <Loading what="your session" />
        )}
      </main>
    );
  if (!session.user) return <SignInScreen setupRequired={session.setupRequired} />;

  let match: { route: Route; parameters: Record<string, string> } | undefined;
  for (const route of ROUTES) {
    const parameters = matchPath(route.pattern, path);
    if (parameters) {
      match = { route, parameters };
      break;
    }
  }

  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header no-print">
        <span className="brand">Milepost</span>
        <span className="header-user">
          Signed in as <strong>{session.user.email}</strong>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav className="sidebar no-print" aria-label="Main">
        <ul>
          {NAVIGATION.map((item) => (
            <li key={item.section}>
              <Link to={item.to} aria-current={match?.route.section === item.section ? 'page' : undefined}>
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Main path={path}>{match ? match.route.render(match.parameters) : <NotFound />}</Main>
    </div>
  );
}

/** The content area; after a navigation, focus moves to the new screen's heading for keyboard and screen reader users. */
function Main({ path, children }: { path: string; children: ReactNode }) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation, which `path` stands for
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus();
    }
  }, [path]);
  useEffect(() => {
    const heading = main.current?.querySelector('h1')?.textContent;
    document.title = heading ? `${heading} · Milepost` : 'Milepost admin';
  });
  return (
    <main id="main" ref={main} className="content">
      {children}
    </main>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Go to <Link to="/journeys">Journeys</Link>.
      </p>
    </>
  );
}
