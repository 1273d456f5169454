import { Layout, type PageContext } from '../../platform/views/layout.js';

export function AccessibilityPage({ ctx }: { ctx: PageContext }) {
  const a = ctx.m.accessibility;
  return (
    <Layout ctx={ctx} title={a.title}>
      <h1>{a.title}</h1>
      {a.body.map((p) => (
        <p>{p}</p>
      ))}
      <h2>{a.reportHeading}</h2>
      <p>{a.report}</p>
    </Layout>
  );
}
