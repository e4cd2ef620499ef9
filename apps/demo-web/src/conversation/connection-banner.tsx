import type { ConnectionStatus } from '@hirechat/client-sdk';

/**
 * What the person should know about the live connection: nothing while it is open; that it is
 * reconnecting (what others send meanwhile arrives once it is back); or why it closed for good.
 */
export function ConnectionBanner({
  status,
  closedBecause,
}: {
  status: ConnectionStatus;
  closedBecause: string | null;
}) {
  if (status === 'reconnecting') {
    return (
      <div className="banner banner-warn" role="status" data-testid="connection-banner">
        Reconnecting… Messages sent meanwhile will appear as soon as the connection is back.
      </div>
    );
  }
  if (status === 'closed' && closedBecause) {
    return (
      <div className="banner banner-error" role="alert" data-testid="connection-banner">
        This conversation is closed: {closedBecause}
      </div>
    );
  }
  if (status === 'connecting') {
    return (
      <div className="banner" role="status" data-testid="connection-banner">
        Connecting…
      </div>
    );
  }
  return null;
}
