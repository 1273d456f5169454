import { Layout, type PageContext } from './layout.js';
import { href } from './links.js';

export function NotFoundPage({ ctx }: { ctx: PageContext }) {
  return (
    <Layout ctx={ctx} title={ctx.m.notFound.title}>
      <h1>{ctx.m.notFound.title}</h1>
      <p>{ctx.m.notFound.body}</p>
      <p>
        <a href={href('/', ctx.locale)}>{ctx.m.notFound.home}</a>
      </p>
    </Layout>
  );
}

export function ServerErrorPage({ ctx, unavailable }: { ctx: PageContext; unavailable: boolean }) {
  return (
    <Layout ctx={ctx} title={ctx.m.serverError.title}>
      <h1>{ctx.m.serverError.title}</h1>
      <p>{unavailable ? ctx.m.serverError.unavailable : ctx.m.serverError.body}</p>
    </Layout>
  );
}

/**
 * A write the storage refused (read-only, full). The form's text comes back on the page, so
 * nothing typed is lost; the browser's back button also still has the form as it was.
 */
export function NotSavedPage({ ctx, message, input }: { ctx: PageContext; message: string; input: readonly [string, string][] }) {
  return (
    <Layout ctx={ctx} title={ctx.m.serverError.notSavedTitle}>
      <h1>{ctx.m.serverError.notSavedTitle}</h1>
      <p>{message}</p>
      <p>{ctx.m.serverError.notSaved}</p>
      {input.length > 0 ? (
        <section aria-labelledby="kept-input">
          <h2 id="kept-input">{ctx.m.serverError.keptInput}</h2>
          <dl class="kept-input">
            {input.map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </>
            ))}
          </dl>
        </section>
      ) : null}
    </Layout>
  );
}

/** A request we understood and refused: no access, an expired form, too many attempts. */
export function RefusedPage({ ctx, message }: { ctx: PageContext; message: string }) {
  return (
    <Layout ctx={ctx} title={ctx.m.refused.title}>
      <h1>{ctx.m.refused.title}</h1>
      <p>{message}</p>
      <p>
        <a href={href('/', ctx.locale)}>{ctx.m.notFound.home}</a>
      </p>
    </Layout>
  );
}
