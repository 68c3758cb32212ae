import { useState, type ChangeEvent } from 'react';

/** Largest file the import takes (the API refuses more). */
const MAX_FILE_BYTES = 256 * 1024;

const lineCount = (text: string) => {
  const n = text.split('\n').filter((l) => l.trim()).length;
  return `${n} line${n === 1 ? '' : 's'}`;
};

const normalPath = (p: string) => p.trim().replace(/^\.\//, '').replace(/\/+/g, '/');

/**
 * The files a compose file reads besides itself: `.env` (its variables), services' env files and
 * configs' files. The analysis names each required one it was not given; the user chooses or pastes
 * it, or adds one the analysis cannot know it wants (`.env` for variables with defaults).
 */
export function ComposeFiles({
  files,
  missing,
  onChange,
}: {
  files: Record<string, string>;
  missing: string[];
  onChange: (files: Record<string, string>) => void;
}) {
  const [error, setError] = useState<string>();
  const [extraPath, setExtraPath] = useState('');
  const given = Object.keys(files).sort();
  const wanted = missing.filter((p) => files[p] === undefined);

  const put = (path: string, content: string) => onChange({ ...files, [normalPath(path)]: content });
  const read = async (path: string, e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setError(`${path}: the file is ${Math.ceil(file.size / 1024)} KiB; files up to 256 KiB can be imported`);
      return;
    }
    setError(undefined);
    put(path, await file.text());
  };
  const addExtra = () => {
    const path = normalPath(extraPath);
    if (!path || path.startsWith('/') || path.split('/').includes('..')) {
      setError('File path: give the path as the compose file writes it, relative to it (e.g. .env or config/app.env)');
      return;
    }
    setError(undefined);
    put(path, files[path] ?? '');
    setExtraPath('');
  };
  const remove = (path: string) => {
    const { [path]: _removed, ...rest } = files;
    onChange(rest);
  };

  return (
    <div data-testid="compose-files">
      <h4>Files the compose file reads</h4>
      {wanted.map((path) => (
        <div className="row" key={path} data-testid={`compose-file-missing-${path}`}>
          <code>{path}</code>
          <span className="warning small">needed, not given yet</span>
          <input
            type="file"
            aria-label={`Choose ${path}`}
            data-testid={`compose-file-choose-${path}`}
            onChange={(e) => void read(path, e)}
          />
          <button type="button" onClick={() => put(path, '')} data-testid={`compose-file-paste-${path}`}>
            Paste its contents
          </button>
        </div>
      ))}
      {given.map((path) => (
        <div key={path} className="compose-file" data-testid={`compose-file-${path}`}>
          <div className="row">
            <code>{path}</code>
            <span className="muted small">{lineCount(files[path] ?? '')}</span>
            <button type="button" onClick={() => remove(path)} aria-label={`Remove ${path}`}>
              Remove
            </button>
          </div>
          <textarea
            rows={4}
            spellCheck={false}
            aria-label={`Contents of ${path}`}
            value={files[path] ?? ''}
            onChange={(e) => put(path, e.target.value)}
          />
        </div>
      ))}
      <div className="row">
        <label className="field">
          <span>Add a file by its path in the compose file</span>
          <input
            value={extraPath}
            placeholder=".env"
            onChange={(e) => setExtraPath(e.target.value)}
            data-testid="compose-file-path"
          />
        </label>
        <button type="button" disabled={!extraPath.trim()} onClick={addExtra} data-testid="compose-file-add">
          Add file
        </button>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
