/** Escapes text for the few places a library renders HTML from our strings (ECharts tooltips): every character that could start markup. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
