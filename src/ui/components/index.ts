// Every view component, for the bundle and for an app that imports them. Each takes plain data as props.
export { Heatmap, type HeatmapProps, type HeatmapCell } from './Heatmap/index.js';
export { AttentionPattern, type AttentionPatternProps, type AttentionDirection } from './AttentionPattern/index.js';
export { AttentionHeads, type AttentionHeadsProps } from './AttentionHeads/index.js';
