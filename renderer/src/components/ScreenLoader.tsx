import { Component, type ReactNode } from 'react';

/** Shown while a screen's code is fetched: announced politely to screen readers, like other statuses. */
export function ScreenLoading() {
  return (
    <p className="muted" role="status" aria-live="polite" data-testid="screen-loading">
      Loading…
    </p>
  );
}

/**
 * Screens load on first use, so one can fail to arrive (in web mode, `homeport serve` stopped or
 * upgraded since the page was opened). Say so in the screen's place, and keep the sidebar working,
 * instead of blanking the whole window.
 */
export class ScreenBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div role="alert" className="error-banner" data-testid="screen-error">
        This screen could not be shown: {error.message}. Reload the page to try again; if Homeport was stopped or
        upgraded, start it again first.
      </div>
    );
  }
}
