/**
 * The theme the page is drawn in (`<html data-theme>`), as React state: canvas charts read their
 * colours from the theme's CSS variables once, so they redraw when it changes.
 */
import { useEffect, useState } from 'react';

export function useDrawnTheme(): string | undefined {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  useEffect(() => {
    const mo = new MutationObserver(() => setTheme(document.documentElement.dataset.theme));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);
  return theme;
}
