/** Server-rendered charts with their accessible alternatives: a data table and a text summary. */
export type { ChartLang, ChartPoint, ChartSeries, ReferenceLine } from './types.js';
export { LineChart, SERIES_COLOURS, type LineChartProps } from './line-chart.js';
export { ChartDataTable, type ChartDataTableProps } from './data-table.js';
export { summarizeChart, type ChartSummaryInput } from './summary.js';
export { formatChartNumber } from './format.js';
export { xValuesOf } from './x-values.js';
export { BarChart, type Bar, type BarChartProps } from './bar-chart.js';
