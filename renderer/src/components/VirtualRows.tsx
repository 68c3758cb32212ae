import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface VirtualRowsProps<T> {
  rows: readonly T[];
  rowHeight: number;
  /** Height of the scrolling viewport in pixels. */
  height: number;
  overscan?: number;
  renderRow: (row: T, index: number) => ReactNode;
  rowKey: (row: T) => string;
  testId?: string;
}

/**
 * Renders only the rows in view (plus a few either side) inside a scroll container of fixed
 * height, so the DOM stays the same size whether there are 50 pods or 50,000.
 */
export function VirtualRows<T>({
  rows,
  rowHeight,
  height,
  overscan = 8,
  renderRow,
  rowKey,
  testId,
}: VirtualRowsProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && el.scrollTop > rows.length * rowHeight) el.scrollTop = 0;
  }, [rows.length, rowHeight]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const visible = rows.slice(first, last);
  return (
    <div
      ref={ref}
      className="virtual-viewport"
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      data-testid={testId}
      role="rowgroup"
    >
      <div style={{ height: rows.length * rowHeight, position: 'relative' }}>
        {visible.map((row, i) => (
          <div
            key={rowKey(row)}
            role="row"
            className="virtual-row"
            style={{ position: 'absolute', top: (first + i) * rowHeight, height: rowHeight, left: 0, right: 0 }}
          >
            {renderRow(row, first + i)}
          </div>
        ))}
      </div>
    </div>
  );
}
