/** A resource subscription of a `MultiServerClient` (`subscribeResource`). */
export interface ResourceSubscription {
  readonly uri: string;
  /** The servers that hold it (accepted it, or had it for another holder already). */
  readonly servers: readonly string[];
  /** Ends it; a server's subscription ends upstream when its last holder leaves. */
  unsubscribe(): Promise<void>;
}
