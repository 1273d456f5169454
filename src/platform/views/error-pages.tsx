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
