# Sourced by scripts/serve.sh and scripts/cluster.sh: the token of Rasa's HTTP API.
# RASA_AUTH_TOKEN when set; else a random token made once and kept in RASA_TOKEN_FILE (default
# .rasa/api-token, mode 600). Exports RASA_AUTH_TOKEN; prints the file's path, never the token.
ensure_api_token() {
  if [[ -z "${RASA_AUTH_TOKEN:-}" ]]; then
    local token_file=${RASA_TOKEN_FILE:-.rasa/api-token} tmp
    if [[ ! -s "$token_file" ]]; then
      mkdir -p "$(dirname "$token_file")"
      tmp=$(umask 077 && mktemp "$token_file.XXXXXX")
      .venv-rasa/bin/python -c "import secrets; print(secrets.token_urlsafe(32))" > "$tmp"
      ln "$tmp" "$token_file" 2>/dev/null || true   # atomic: a concurrent start keeps its token
      rm -f "$tmp"
    fi
    chmod 600 "$token_file"
    RASA_AUTH_TOKEN=$(< "$token_file")
    echo "Rasa HTTP API token: in $token_file (send it as ?token=...)"
  fi
  export RASA_AUTH_TOKEN
}
