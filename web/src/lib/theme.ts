/** Dark and light themes: the user's choice (remembered), else the system's. */
import { useEffect, useState } from 'react';

export type Theme = 'dark' | 'light';
const STORAGE = 'capdex.theme';

function initial(): Theme {
  const saved = localStorage.getItem(STORAGE);
  if (saved === 'dark' || saved === 'light') return saved;
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(initial);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem(STORAGE, theme);
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}
