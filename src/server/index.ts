// The operator's HTTP surface: Prometheus metrics, liveness and readiness.
export { type ListenAddress, parseListenAddress } from "./address.js";
export { type OperatorServer, type OperatorServerOptions, startOperatorServer } from "./http.js";
export { type BucketSource, OperatorMetrics } from "./metrics.js";
export { type Leadership, type Readiness, ReadinessState } from "./readiness.js";
