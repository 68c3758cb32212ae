import { useState } from 'react';
import { copyText } from './use-port-forwards';

/** A forward's local URL: a link (opened in web mode's browser), and a button that copies it. */
export function ForwardUrl({ url }: { url: string }) {
  const [copied, setCopied] = useState<boolean | undefined>();
  return (
    <span className="forward-url">
      <a href={url} target="_blank" rel="noreferrer" className="mono" data-testid="forward-url">
        {url}
      </a>{' '}
      <button
        type="button"
        className="small"
        onClick={() => void copyText(url).then(setCopied)}
        aria-label={`Copy ${url}`}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      {copied === false ? (
        // The clipboard is refused (the desktop app grants no permissions): the address, selected, to copy by hand.
        <input
          readOnly
          className="mono small"
          aria-label="Address to copy"
          value={url}
          size={url.length}
          ref={(el) => el?.select()}
        />
      ) : null}
    </span>
  );
}
