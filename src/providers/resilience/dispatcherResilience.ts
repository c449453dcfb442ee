import type { Dispatcher } from 'undici';
import type { ProviderResilience } from './providerResilience.ts';

/**
 * Connectors receive exactly one object shared per provider, the keep-alive dispatcher, and build
 * their `UpstreamClient` around it. The resilience state (breaker, concurrency cap) has the same
 * sharing and lifetime, so it travels with the dispatcher instead of widening every connector's
 * options. A dispatcher with nothing attached (connector unit tests) gets timeouts only.
 */
const attached = new WeakMap<Dispatcher, ProviderResilience>();

export function attachResilience(dispatcher: Dispatcher, resilience: ProviderResilience): void {
  attached.set(dispatcher, resilience);
}

export function resilienceOf(dispatcher: Dispatcher): ProviderResilience | null {
  return attached.get(dispatcher) ?? null;
}
