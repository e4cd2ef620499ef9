import { type FormEvent, useRef, useState } from 'react';

export interface ComposerProps {
  disabled: boolean;
  onSend(content: string): Promise<void>;
  onSendFile(file: File): Promise<void>;
  onTyping(): void;
}

/** The message box: text on Enter or Send, a file as soon as it is picked; typing is reported as it goes. */
export function Composer({ disabled, onSend, onSendFile, onTyping }: ComposerProps) {
  const [text, setText] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content) return;
    setText('');
    await onSend(content);
  };

  return (
    <form className="composer" onSubmit={submit}>
      <label className="button attach">
        Attach
        <input
          ref={fileInput}
          type="file"
          aria-label="Attach a file"
          disabled={disabled}
          onChange={async (event) => {
            const file = event.target.files?.[0];
            if (!file) return;
            await onSendFile(file);
            if (fileInput.current) fileInput.current.value = '';
          }}
        />
      </label>
      <input
        className="text"
        aria-label="Message"
        placeholder="Write a message"
        autoComplete="off"
        value={text}
        disabled={disabled}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value) onTyping();
        }}
      />
      <button type="submit" disabled={disabled || text.trim() === ''}>
        Send
      </button>
    </form>
  );
}
