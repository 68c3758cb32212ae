import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  IPC_HELLO,
  IPC_PUSH,
  IPC_SUBSCRIBE,
  IPC_UNSUBSCRIBE,
  type HomeportBridge,
  type PushMessage,
} from '@shared/bridge';

// The page gets two functions and nothing else: no ipcRenderer, no Node.
const handlers = new Map<string, (message: PushMessage) => void>();
let nextId = 0;

ipcRenderer.on(IPC_PUSH, (_event: IpcRendererEvent, messages: PushMessage[]) => {
  for (const message of messages) handlers.get(message.id)?.(message);
});

const bridge: HomeportBridge = {
  invoke: (channel, input) => ipcRenderer.invoke(String(channel), input),
  subscribe: (topic, params, onMessage) => {
    const id = `s${++nextId}`;
    handlers.set(id, onMessage);
    ipcRenderer.send(IPC_SUBSCRIBE, { id, topic: String(topic), params });
    return () => {
      handlers.delete(id);
      ipcRenderer.send(IPC_UNSUBSCRIBE, { id });
    };
  },
};

ipcRenderer.send(IPC_HELLO);
contextBridge.exposeInMainWorld('homeport', bridge);
