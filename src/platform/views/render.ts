import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** preact escapes every interpolated string; the doctype is the one thing it cannot emit. */
export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}
