/**
 * The shell: header with navigation and theme switch, and one route per page. Pages load lazily
 * so the submit page does not wait for the console's tables, charts and graph code. Every view is
 * a deep link: its state (capture, panel, filter, query) lives in the URL.
 */
import { lazy, Suspense } from 'react';
import { Link, Route, Switch, useLocation } from 'wouter';
import { useTheme } from './lib/theme.js';
import { ApiKeyButton } from './features/settings/ApiKeyButton.js';

const SubmitPage = lazy(() => import('./features/submit/SubmitPage.js'));
const BrowsePage = lazy(() => import('./features/browse/BrowsePage.js'));
const ConsolePage = lazy(() => import('./features/console/ConsolePage.js'));
const SearchPage = lazy(() => import('./features/search/SearchPage.js'));
const PivotPage = lazy(() => import('./features/pivot/PivotPage.js'));
const ArchivePage = lazy(() => import('./features/intel/ArchivePage.js'));
const TrendsPage = lazy(() => import('./features/intel/TrendsPage.js'));
const RetroHuntPage = lazy(() => import('./features/intel/RetroHuntPage.js'));

const NAV = [
  { href: '/', label: 'Submit' },
  { href: '/browse', label: 'Browse' },
  { href: '/search', label: 'Search' },
  { href: '/archive', label: 'Archive' },
  { href: '/trends', label: 'Trends' },
  { href: '/hunts', label: 'Retro-hunt' },
] as const;

function NavLink({ href, label }: { href: string; label: string }) {
  const [location] = useLocation();
  const current = href === '/' ? location === '/' : location.startsWith(href);
  return <Link href={href} className={current ? 'nav-link current' : 'nav-link'} aria-current={current ? 'page' : undefined}>{label}</Link>;
}

export function App() {
  const [theme, toggleTheme] = useTheme();
  return (
    <div className="app">
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <Link href="/" className="brand" aria-label="Capdex home">capdex</Link>
        <nav aria-label="Main">{NAV.map((n) => <NavLink key={n.href} {...n} />)}</nav>
        <ApiKeyButton />
        <button type="button" className="theme-toggle" onClick={toggleTheme} aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}>
          {theme === 'dark' ? '☀' : '☾'}
        </button>
      </header>
      <main id="main" className="app-main">
        <Suspense fallback={<p className="loading" role="status">Loading…</p>}>
          <Switch>
            <Route path="/" component={SubmitPage} />
            <Route path="/browse" component={BrowsePage} />
            <Route path="/search" component={SearchPage} />
            <Route path="/pivot/:type/*" component={PivotPage} />
            <Route path="/captures/:id" component={ConsolePage} />
            <Route path="/archive" component={ArchivePage} />
            <Route path="/trends" component={TrendsPage} />
            <Route path="/hunts" component={RetroHuntPage} />
            <Route><p role="alert">No such page. <Link href="/">Submit a capture</Link>.</p></Route>
          </Switch>
        </Suspense>
      </main>
    </div>
  );
}
