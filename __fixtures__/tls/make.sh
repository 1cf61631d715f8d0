#!/bin/sh
# Regenerates the TEST-ONLY certificates and keys in this folder (run from anywhere; needs openssl).
# They exist so that tests can serve HTTPS on 127.0.0.1; nothing here protects anything.
#   ca.pem            the CA that signed the server's certificates (what `ca-certificates` gets)
#   server.pem/.key   localhost, 127.0.0.1, ::1 and artifactory.internal; valid 2020-2120
#   expired.pem       the same names and key, valid 2020-2021
#   wrong-host.pem    the same key, for wrong-host.test only
#   client-ca.pem     the CA the server trusts for client certificates
#   client.pem/.key   a client certificate signed by client-ca
#   stranger.pem/.key a client certificate signed by a CA the server does not know
set -eu
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

cat > ca.cnf <<CNF
[ ca ]
default_ca = test
[ test ]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[ any ]
commonName = supplied
[ ca_ext ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1, DNS:artifactory.internal
authorityKeyIdentifier = keyid
[ wrong_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong-host.test
authorityKeyIdentifier = keyid
[ client_ext ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
CNF

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
csr() { openssl req -new -key "$1" -subj "/CN=$2" -out "$3"; }
# sign CSR OUT EXT ISSUER-CERT ISSUER-KEY START END
sign() {
  : > index.txt
  openssl rand -hex 16 > serial
  openssl ca -batch -config ca.cnf -notext -in "$1" -out "$2" -extensions "$3" \
    -cert "$4" -keyfile "$5" -startdate "$6" -enddate "$7" 2>/dev/null
}
selfsign() { # NAME CN
  key "$1.key"; csr "$1.key" "$2" "$1.csr"
  : > index.txt
  openssl rand -hex 16 > serial
  openssl ca -batch -selfsign -config ca.cnf -notext -in "$1.csr" -out "$1.pem" -extensions ca_ext \
    -keyfile "$1.key" -startdate 20200101000000Z -enddate 21200101000000Z 2>/dev/null
}

selfsign ca 'artifactory-download-action test CA'
selfsign client-ca 'artifactory-download-action test client CA'
selfsign stranger-ca 'a CA nobody trusts'

key server.key; csr server.key localhost server.csr
sign server.csr server.pem server_ext ca.pem ca.key 20200101000000Z 21200101000000Z
sign server.csr expired.pem server_ext ca.pem ca.key 20200101000000Z 20210101000000Z
csr server.key wrong-host.test wrong.csr
sign wrong.csr wrong-host.pem wrong_ext ca.pem ca.key 20200101000000Z 21200101000000Z

key client.key; csr client.key ci-client client.csr
sign client.csr client.pem client_ext client-ca.pem client-ca.key 20200101000000Z 21200101000000Z
key stranger.key; csr stranger.key stranger stranger.csr
sign stranger.csr stranger.pem client_ext stranger-ca.pem stranger-ca.key 20200101000000Z 21200101000000Z

cp ca.pem server.pem server.key expired.pem wrong-host.pem client-ca.pem client.pem client.key \
  stranger.pem stranger.key "$out/"
echo "written to $out"
