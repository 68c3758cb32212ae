import { NasSection } from './NasSection';
import { S3Section } from './S3Section';

/** Shared storage a clustered stack needs: NFS exports on NAS hosts, and S3 buckets. */
export function StorageScreen() {
  return (
    <section aria-labelledby="storage-title">
      <header className="page-header">
        <h1 id="storage-title">Storage</h1>
        <p className="muted">NFS exports on your NAS (over SSH) and S3 buckets, ready for a stack to use.</p>
      </header>
      <NasSection />
      <S3Section />
    </section>
  );
}
