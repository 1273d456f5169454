/** In CI a missing service is a failure; on a developer's machine it is a loud skip. */
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export function unavailable(what: string, why: string): string {
  const msg = `${what} är inte tillgänglig (${why}).`;
  if (inCI) throw new Error(`${msg} I CI är det ett fel, inte en anledning att hoppa över testerna.`);
  console.warn(`\n⚠ ${msg} Hoppar över de testerna utanför CI.\n`);
  return msg;
}
