/** Kept apart from cli.ts, so that other commands need not load the wastewater feature to print their help. */
export const WASTEWATER_HELP = `Användning: loften wastewater import FIL --municipality KOMMUNKOD [--dry-run]
       loften wastewater summary --municipality KOMMUNKOD [--substance ÄMNE[,ÄMNE]] [--from DATUM] [--to DATUM]
                                 [--measure pnl|consumption] [--below-loq zero|half-loq] [--amphetamine-correction]
                                 [--format json]

import   Läser en CSV-fil från labbet och sparar mätvärdena för kommunens mätpunkter.
         Allt eller inget: ett enda fel stoppar importen och anger rad, kolumn och orsak.
         Samma fil två gånger sparar varje värde en gång; ändrade värden visas som rättelser.
         --dry-run    Visa vad som skulle sparas, utan att spara något

summary  Skriver ut samma siffror som API:t (/api/v1/municipalities/KOMMUNKOD/wastewater)
         som JSON: medelvärden per mätvecka för vardag, helg och hela veckan. Kommundelar
         under publiceringsgränsen finns inte med.

Kolumner i filen: site_code, district, population, sample_date, flow_m3_per_day, substance,
concentration_ng_per_l, loq_ng_per_l, below_loq (se docs/decisions/wastewater.md).`;
