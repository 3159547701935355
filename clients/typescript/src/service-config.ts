/**
 * The recommended gRPC service config (`clients/service_config.json`, bundled here as
 * `service_config.json` by `generate.sh`): per-method deadlines and, for the unary methods, up to
 * 3 attempts on UNAVAILABLE.
 *
 * Connect's transport does not read gRPC service configs, so the client applies it itself: the
 * method's `timeout` becomes the call's default `timeoutMs`, and its `retryPolicy` drives the retry
 * interceptor (`retryInterceptor`).
 */
import { readFileSync } from "node:fs";

import { Code, ConnectError } from "@connectrpc/connect";
import type { Interceptor } from "@connectrpc/connect";

/** The JSON shape of a gRPC service config (the parts this client reads). */
export interface ServiceConfig {
  methodConfig?: MethodConfig[];
}

export interface MethodConfig {
  name: { service?: string; method?: string }[];
  timeout?: string;
  retryPolicy?: {
    maxAttempts: number;
    initialBackoff: string;
    maxBackoff: string;
    backoffMultiplier: number;
    retryableStatusCodes: string[];
  };
}

/** What the client applies to one method. */
export interface MethodPolicy {
  /** Default deadline of a call, in milliseconds (absent: none). */
  timeoutMs?: number;
  /** Retries of a unary call (absent: not retried). */
  retry?: RetryPolicy;
}

export interface RetryPolicy {
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  backoffMultiplier: number;
  retryableCodes: Code[];
}

const CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

/** The canonical gRPC name of a status code, e.g. `NOT_FOUND` for `Code.NotFound` (5). */
export function codeName(code: Code | number): string {
  return CODE_NAMES[code] ?? `CODE_${code}`;
}

function codeFromName(name: string): Code {
  const index = (CODE_NAMES as readonly string[]).indexOf(name.toUpperCase());
  if (index <= 0) {
    throw new Error(`service config: unknown status code ${JSON.stringify(name)}`);
  }
  return index as Code;
}

/** Parses a protobuf JSON duration such as `"120s"` or `"0.2s"` into milliseconds. */
export function parseDurationMs(value: string): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  if (!match) {
    throw new Error(`service config: bad duration ${JSON.stringify(value)}`);
  }
  return Math.round(Number(match[1]) * 1000);
}

let bundled: ServiceConfig | undefined;

/** A fresh copy of the bundled service config (the same bytes as `clients/service_config.json`). */
export function defaultServiceConfig(): ServiceConfig {
  bundled ??= JSON.parse(
    readFileSync(new URL("../../service_config.json", import.meta.url), "utf8"),
  ) as ServiceConfig;
  return structuredClone(bundled);
}

/**
 * The policy of every configured method, keyed `"package.Service/Method"`; an entry naming only a
 * service is stored under `"package.Service/"` and applies to its methods without their own entry.
 */
export function methodPolicies(config: ServiceConfig): Map<string, MethodPolicy> {
  const policies = new Map<string, MethodPolicy>();
  for (const entry of config.methodConfig ?? []) {
    const policy: MethodPolicy = {};
    if (entry.timeout !== undefined) {
      policy.timeoutMs = parseDurationMs(entry.timeout);
    }
    const retry = entry.retryPolicy;
    if (retry !== undefined) {
      policy.retry = {
        maxAttempts: Math.min(Math.max(retry.maxAttempts, 1), 5), // gRPC caps attempts at 5
        initialBackoffMs: parseDurationMs(retry.initialBackoff),
        maxBackoffMs: parseDurationMs(retry.maxBackoff),
        backoffMultiplier: retry.backoffMultiplier,
        retryableCodes: retry.retryableStatusCodes.map(codeFromName),
      };
    }
    for (const name of entry.name) {
      policies.set(`${name.service ?? ""}/${name.method ?? ""}`, policy);
    }
  }
  return policies;
}

/** The policy for one method: its own entry, else its service's, else the config-wide default. */
export function policyFor(
  policies: Map<string, MethodPolicy>,
  service: string,
  method: string,
): MethodPolicy {
  return policies.get(`${service}/${method}`) ?? policies.get(`${service}/`) ?? policies.get("/") ?? {};
}

/**
 * Retries unary calls as the service config's `retryPolicy` says: on a retryable code, wait a random
 * time up to `min(initialBackoff * multiplier^(n-1), maxBackoff)` and try again, at most
 * `maxAttempts` times in all, never past the call's deadline or cancellation. Streams are not
 * retried (a stream may already have delivered events).
 */
export function retryInterceptor(policies: Map<string, MethodPolicy>): Interceptor {
  return (next) => async (req) => {
    const retry = req.stream ? undefined : policyFor(policies, req.service.typeName, req.method.name).retry;
    if (retry === undefined) {
      return next(req);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        const error = ConnectError.from(err);
        if (attempt >= retry.maxAttempts || !retry.retryableCodes.includes(error.code) || req.signal.aborted) {
          throw err;
        }
        const ceiling = Math.min(
          retry.initialBackoffMs * retry.backoffMultiplier ** (attempt - 1),
          retry.maxBackoffMs,
        );
        await sleep(Math.random() * ceiling, req.signal);
        if (req.signal.aborted) {
          throw err;
        }
      }
    }
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
