#!/bin/sh
# make-certs.sh: the TLS material of docker-compose.yml's NATS cluster, in
# deploy/nats/certs (or the directory given), never committed:
#
#   ca.pem, ca-key.pem            a CA of its own (keep ca-key.pem to issue more)
#   nats-N.pem, nats-N-key.pem    server N (1..3): DNS nats-N, localhost, 127.0.0.1;
#                                 server and client use (routes dial each other)
#   client.pem, client-key.pem    gradelog's client certificate (mutual TLS)
#
# Keys are EC P-256 and readable by their owner only; certificates are
# readable by all (gradelog's image runs as a non-root user and reads
# ca.pem). It refuses to overwrite: remove the directory to start over.
#
#   deploy/nats/make-certs.sh [dir]     # DAYS=825 by default
set -eu

out=${1:-"$(dirname "$0")/certs"}
days=${DAYS:-825}
if [ -e "$out/ca.pem" ]; then
	echo "make-certs.sh: $out/ca.pem exists; remove $out to make new certificates" >&2
	exit 1
fi
mkdir -p "$out"
cd "$out"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# issue NAME SUBJECT EXTENSIONS: NAME.pem and NAME-key.pem signed by the CA.
issue() {
	newkey "$1-key.pem"
	openssl req -new -key "$1-key.pem" -subj "$2" -out "$tmp/$1.csr"
	printf '%s\n' "basicConstraints = critical, CA:FALSE" "keyUsage = critical, digitalSignature" "$3" >"$tmp/$1.ext"
	openssl x509 -req -in "$tmp/$1.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -CAserial "$tmp/ca.srl" \
		-days "$days" -sha256 -extfile "$tmp/$1.ext" -out "$1.pem" 2>/dev/null
}

newkey ca-key.pem
printf '%s\n' "[req]" "distinguished_name = dn" "[dn]" "[ca]" \
	"basicConstraints = critical, CA:TRUE, pathlen:0" "keyUsage = critical, keyCertSign, cRLSign" \
	"subjectKeyIdentifier = hash" >"$tmp/ca.cnf"
openssl req -x509 -new -key ca-key.pem -subj "/CN=gradelog NATS CA" -days "$((days * 2))" -sha256 \
	-config "$tmp/ca.cnf" -extensions ca -out ca.pem

for n in 1 2 3; do
	issue "nats-$n" "/CN=nats-$n" "extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:nats-$n, DNS:localhost, IP:127.0.0.1"
done
issue client "/CN=gradelog" "extendedKeyUsage = clientAuth"

chmod 644 ./*.pem
chmod 600 ./*-key.pem
echo "make-certs.sh: CA, nats-1..3 and client certificates in $out (valid $days days)"
