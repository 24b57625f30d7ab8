// The scripts `stack completion bash|zsh` prints. Each asks `stack __complete -- WORDS…`
// for the candidates of the word under the cursor (one per line; `__FILES__` alone means
// "complete a path", left to the shell), so the script never goes stale as commands and
// flags change, and service names come from the stack file and the running containers.

export const FILES_MARK = '__FILES__';

export const BASH_SCRIPT = `# stack completion for bash: \`source <(stack completion bash)\` in ~/.bashrc,
# or \`stack completion bash > /etc/bash_completion.d/stack\`.
_stack_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} IFS=$'\\n' out
  out=$("\${COMP_WORDS[0]}" __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  if [ "$out" = "${FILES_MARK}" ]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  fi
}
complete -o default -F _stack_complete stack
`;

export const ZSH_SCRIPT = `#compdef stack
# stack completion for zsh: \`source <(stack completion zsh)\` in ~/.zshrc (after
# compinit), or \`stack completion zsh > "\${fpath[1]}/_stack"\`.
_stack() {
  local -a candidates
  candidates=("\${(@f)$(\${words[1]} __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  if [[ "\${candidates[1]}" == "${FILES_MARK}" ]]; then
    _files
  else
    compadd -- "\${candidates[@]}"
  fi
}
if (( $+functions[compdef] )); then compdef _stack stack; fi
`;
