import { useState, type FormEvent } from 'react';
import { useAddKubeconfig } from './use-contexts';

export function AddKubeconfigForm() {
  const [path, setPath] = useState('');
  const add = useAddKubeconfig();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The typed path stays in the field on error so the user can correct it.
    add.mutate(path, { onSuccess: () => setPath('') });
  };
  return (
    <form className="add-form" onSubmit={submit}>
      <label htmlFor="kubeconfig-path">Add a kubeconfig file</label>
      <div className="row">
        <input
          id="kubeconfig-path"
          className="mono"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/home/me/.kube/k3s.yaml"
          aria-invalid={add.isError}
          aria-describedby="kubeconfig-path-error"
        />
        <button type="submit" disabled={add.isPending || path.trim() === ''}>
          Add file
        </button>
      </div>
      {add.error ? (
        <div id="kubeconfig-path-error" className="error small" role="alert">
          {add.error.message}
        </div>
      ) : null}
    </form>
  );
}
