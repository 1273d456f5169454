import { describe, expect, it } from 'vitest';
import { joinNames, swedishDateTime, verificationUrl } from '../../src/features/publishing/pdf/pledge-pdf.js';
import { pdfEtag, pdfFilename } from '../../src/features/publishing/pdf/signed-pdf.js';

const HASH = '7969cab136dcf7f0a7bde29e17a2fd5dd5bb8731216b6f54679878034ee4b019';

describe('signed PDF: formatting rules', () => {
  it('names the parties as a Swedish list', () => {
    expect(joinNames(['Strängnäs kommun'])).toBe('Strängnäs kommun');
    expect(joinNames(['Strängnäs kommun', 'Lokalpolisområde Strängnäs'])).toBe('Strängnäs kommun och Lokalpolisområde Strängnäs');
    expect(joinNames(['A', 'B', 'C'])).toBe('A, B och C');
  });

  it('gives signing times in Swedish time, winter and summer', () => {
    expect(swedishDateTime('2022-01-20T12:00:00.000Z')).toBe('20 januari 2022 kl. 13:00');
    expect(swedishDateTime('2022-07-01T10:05:00.000Z')).toBe('1 juli 2022 kl. 12:05');
    // Just before midnight UTC on New Year's Eve is already the new year in Stockholm.
    expect(swedishDateTime('2023-12-31T23:30:00.000Z')).toBe('1 januari 2024 kl. 00:30');
  });

  it('prints the short verification address under the public base URL', () => {
    expect(verificationUrl('https://medborgarloften.example.se/', HASH)).toBe('https://medborgarloften.example.se/v/7969cab136dc');
    expect(verificationUrl('https://medborgarloften.example.se', HASH)).toBe('https://medborgarloften.example.se/v/7969cab136dc');
  });

  it('names the file by municipality, period and version, and validates it by hash and address', () => {
    expect(pdfFilename('strangnas', '2022-2023', 1)).toBe('medborgarlofte-strangnas-2022-2023-v1.pdf');
    const etag = pdfEtag(HASH, 'https://a.example');
    expect(etag).toMatch(new RegExp(`^"${HASH}\\.[0-9a-f]{8}"$`));
    expect(pdfEtag(HASH, 'https://a.example')).toBe(etag);
    expect(pdfEtag(HASH, 'https://b.example')).not.toBe(etag);
  });
});
