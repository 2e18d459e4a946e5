/**
 * First run and sign-in: `setupRequired` shows "Create the admin account", otherwise the sign-in form.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../api.js';
import { ErrorMessage, TextField } from '../components.js';
import { useAction } from '../hooks.js';
import { useSession } from '../session.js';

/** The minimum password length the server enforces for the admin account. */
const MIN_PASSWORD_LENGTH = 12;

/** The sign-in or first-run form, full page. */
export function SignInScreen({ setupRequired }: { setupRequired: boolean }) {
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await action.run(async () => {
      if (setupRequired) await api.setup(email, password);
      else await api.login(email, password);
      return true;
    });
    if (done) await refresh();
  };

  const title = setupRequired ? 'Create the admin account' : 'Sign in to Milepost';
  return (
    <main className="sign-in">
      <h1>{title}</h1>
      {setupRequired && (
        <p>
          This is the first start of this Milepost admin. The account you create here is its administrator.
        </p>
      )}
      <form onSubmit={submit} noValidate={false}>
        <TextField
          label="Email"
          type="email"
          autoComplete={setupRequired ? 'email' : 'username'}
          required
          value={email}
          onChange={setEmail}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete={setupRequired ? 'new-password' : 'current-password'}
          required
          minLength={setupRequired ? MIN_PASSWORD_LENGTH : undefined}
          value={password}
          onChange={setPassword}
          hint={
            setupRequired && (
              <>
                At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words are easy to remember and hard
                to guess.
              </>
            )
          }
        />
        <ErrorMessage
          error={action.error}
          title={setupRequired ? 'The account was not created.' : 'You are not signed in.'}
        />
        <button type="submit" className="primary" disabled={action.running}>
          {setupRequired ? 'Create account' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
