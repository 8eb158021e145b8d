// Every view component, for the bundle and for an app that imports them. Each takes plain data as props.
export { Heatmap, type HeatmapProps, type HeatmapCell } from './Heatmap/index.js';
export { AttentionPattern, type AttentionPatternProps, type AttentionDirection } from './AttentionPattern/index.js';
export { AttentionHeads, type AttentionHeadsProps } from './AttentionHeads/index.js';
export { ColoredTokens, type ColoredTokensProps } from './ColoredTokens/index.js';
export { ColoredTokensMulti, type ColoredTokensMultiProps } from './ColoredTokensMulti/index.js';
export { TokenLogProbs, type TokenLogProbsProps, type TokenPrediction } from './TokenLogProbs/index.js';
export { HeadGrid, type HeadGridProps, type HeadMetric, type HeadRef } from './HeadGrid/index.js';
export { LineChart, type LineChartProps, type LineSeries } from './LineChart/index.js';
export { Bars, type BarsProps, type Bar } from './Bars/index.js';
export { ComplexPlane, type ComplexPlaneProps, type PointGroup } from './ComplexPlane/index.js';
export { DataTable, type DataTableProps, type Column, type Row } from './DataTable/index.js';
export { TopkTokens, type TopkTokensProps, type TopkItem, type TokenValue } from './TopkTokens/index.js';
export { TextNeuronActivations, type TextNeuronActivationsProps } from './TextNeuronActivations/index.js';
export { BigramCompare, type BigramCompareProps, pearson } from './BigramCompare/index.js';
export { TopkSamples, type TopkSamplesProps, type TopkSample } from './TopkSamples/index.js';
export { CircuitGraph, type CircuitGraphProps, type GraphEdge } from './CircuitGraph/index.js';
export { FaithfulnessCurve, type FaithfulnessCurveProps, type FaithfulnessPoint } from './FaithfulnessCurve/index.js';
