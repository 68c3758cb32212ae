import { useCallback, useLayoutEffect, useState } from 'react';

/**
 * The content width of an element, kept up to date as it resizes. The ref is a callback, so an
 * element that appears later (after a loading state) is measured too.
 */
export function useWidth<E extends HTMLElement>() {
  const [el, setEl] = useState<E | null>(null);
  const [width, setWidth] = useState(0);
  const ref = useCallback((node: E | null) => {
    setEl(node);
    if (node) setWidth(node.clientWidth);
  }, []);
  useLayoutEffect(() => {
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [ref, width] as const;
}
