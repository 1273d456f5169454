import { describe, expect, it } from 'vitest';
import { embedCsp, iframeSnippet, parsePledgePageUrl } from '../../src/features/publishing/embed/embed-service.js';
import { contrastRatio, EmbedSettingsForm, normaliseHexColor, parseOrigin } from '../../src/features/publishing/embed/embed-settings.js';

describe('embed settings rules', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // The classic boundary: #767676 passes AA on white, #777777 does not.
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
    expect(contrastRatio('#0b4fb3', '#ffffff')).toBeCloseTo(7.54, 2);
  });

  it('normalises hex colours and refuses anything else', () => {
    expect(normaliseHexColor('#ABC')).toBe('#aabbcc');
    expect(normaliseHexColor(' #0B4FB3 ')).toBe('#0b4fb3');
    for (const bad of ['0b4fb3', '#0b4fb', 'red', '#0b4fb3;}body{display:none', 'rgb(0,0,0)']) expect(normaliseHexColor(bad)).toBeNull();
  });

  it.each([
    ['https://www.strangnas.se', 'https://www.strangnas.se'],
    ['https://www.strangnas.se/', 'https://www.strangnas.se'],
    ['HTTPS://WWW.Strangnas.SE:443', 'https://www.strangnas.se'],
    ['https://www.strangnas.se:8443', 'https://www.strangnas.se:8443'],
    ['https://malmö.se', 'https://xn--malm-8qa.se'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('accepts the origin %s as %s', (input, origin) => {
    expect(parseOrigin(input)).toEqual({ origin });
  });

  it.each([
    'http://www.strangnas.se',
    'https://www.strangnas.se/nyheter',
    'https://www.strangnas.se/?a=1',
    'https://www.strangnas.se/#x',
    'https://*.strangnas.se',
    'https://user:pw@www.strangnas.se',
    'ftp://www.strangnas.se',
    'javascript:alert(1)',
    "https://x.se 'unsafe-inline'",
    'https://intranat',
    'www.strangnas.se',
    "'self'",
  ])('refuses %s as an origin', (input) => {
    expect(parseOrigin(input)).toHaveProperty('problem');
  });

  it('turns the form into settings: origins de-duplicated and sorted, colour normalised, level a number', () => {
    const f = EmbedSettingsForm.parse({ version: '3', embedOrigins: ' https://b.se \r\n\r\nhttps://a.se/\nhttps://b.se', accentColor: '#1A5E20', logoUrl: 'https://a.se/logo.svg', headingLevel: '3' });
    expect(f).toEqual({ version: 3, embedOrigins: ['https://a.se', 'https://b.se'], accentColor: '#1a5e20', logoUrl: 'https://a.se/logo.svg', headingLevel: 3 });
    expect(EmbedSettingsForm.parse({ version: '1', headingLevel: '2' })).toMatchObject({ embedOrigins: [], accentColor: null, logoUrl: null });
    const tooMany = Array.from({ length: 21 }, (_, i) => `https://s${i}.example.se`).join('\n');
    expect(EmbedSettingsForm.safeParse({ version: '1', embedOrigins: tooMany, headingLevel: '2' }).error?.issues[0]?.message).toBe('Högst 20 webbplatser.');
    // 4.47:1 must not read as 4.5:1 in the refusal.
    expect(EmbedSettingsForm.safeParse({ version: '1', accentColor: '#777777', headingLevel: '2' }).error?.issues[0]?.message).toContain('kontrasten 4,4:1');
  });
});

describe('embed headers and snippets', () => {
  it("loosens only frame-ancestors, img-src and style-src of the site's policy", () => {
    expect(embedCsp({ frameAncestors: [], logoUrl: null, inlineStyle: null })).toBe(
      "default-src 'none';style-src 'self';img-src 'self' data:;font-src 'self';form-action 'self';base-uri 'none';frame-ancestors 'none'",
    );
    expect(embedCsp({ frameAncestors: ['https://a.se', 'https://b.se'], logoUrl: 'https://cdn.a.se/x/logo.svg?v=1', inlineStyle: ':root{--accent:#000000}' })).toBe(
      "default-src 'none';style-src 'self' 'sha256-" +
        '2gUvh3kJQ4OXx886gilnutBEOK5zQR7jWdcwQdWpvVg=' +
        "';img-src 'self' data: https://cdn.a.se;font-src 'self';form-action 'self';base-uri 'none';frame-ancestors https://a.se https://b.se",
    );
  });

  it('escapes what goes into the snippet', () => {
    expect(iframeSnippet('https://x.se/embed/kommun/a?part=b&lang=en', 'Löfte för "A" <b>', '100%', 800)).toBe(
      '<iframe src="https://x.se/embed/kommun/a?part=b&amp;lang=en" title="Löfte för &quot;A&quot; &lt;b&gt;" width="100%" height="800" loading="lazy"></iframe>',
    );
  });

  it('recognises public pledge pages on our own address only', () => {
    const base = 'https://loften.example.se';
    expect(parsePledgePageUrl(`${base}/kommun/strangnas`, base)).toEqual({ slug: 'strangnas', lang: 'sv' });
    expect(parsePledgePageUrl(`${base}/kommun/strangnas/2022-2023/?lang=en&part=lpo-strangnas&x=1`, base)).toEqual({ slug: 'strangnas', period: '2022-2023', part: 'lpo-strangnas', lang: 'en' });
    expect(parsePledgePageUrl('/kommun/strangnas', base)).toEqual({ slug: 'strangnas', lang: 'sv' });
    for (const bad of ['https://evil.example/kommun/strangnas', 'http://loften.example.se/kommun/strangnas', `${base}/kommun/Strangnas`, `${base}/kommun/strangnas/versioner`, `${base}/kommun/strangnas/2022-2023/versioner/1`, `${base}/embed/kommun/strangnas`, '//evil.example/kommun/strangnas'])
      expect(parsePledgePageUrl(bad, base), bad).toBeNull();
  });
});
