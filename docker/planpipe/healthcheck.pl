#!/usr/bin/perl
# docker-healthcheck of the api service: healthy when `planpipe serve`
# answers GET /readyz with 200, that is when its pool reaches a migrated,
# writable database (through PgBouncer in compose.yaml).
#
# Perl because perl-base is Essential in Debian (in every image, slim ones
# included) and has sockets: the image needs no curl for this. Only modules
# from perl-base are used.
#
# The address is PLANPIPE_LISTEN's port on loopback (the server's own host
# when it listens on one address only). Exit 0 healthy, 1 with one line
# saying why (docker inspect keeps it).
use strict;
use warnings;
use IO::Socket::IP;

my $listen = $ENV{PLANPIPE_LISTEN} // '127.0.0.1:8080';
my ($host, $port);
if ($listen =~ /^\[([^\]]*)\]:(\d+)$/) {
	($host, $port) = ($1, $2);
} elsif ($listen =~ /^([^:]*):(\d+)$/) {
	($host, $port) = ($1, $2);
} else {
	print "unhealthy: cannot read PLANPIPE_LISTEN=$listen\n";
	exit 1;
}
$host = '127.0.0.1' if $host eq '' || $host eq '0.0.0.0' || $host eq '*';
$host = '::1' if $host eq '::';

my $timeout = 3;
my $status = eval {
	local $SIG{ALRM} = sub { die "no answer within ${timeout}s\n" };
	alarm $timeout;
	my $s = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port, Timeout => $timeout)
		or die "cannot connect to $host:$port: $@\n";
	my $h = $host =~ /:/ ? "[$host]" : $host;
	print $s "GET /readyz HTTP/1.1\r\nHost: $h:$port\r\nUser-Agent: docker-healthcheck\r\n"
		. "Connection: close\r\n\r\n";
	my $line = <$s>;
	my $body = do { local $/; <$s> } // '';
	close $s;
	alarm 0;
	die "the connection closed without an answer\n" unless defined $line;
	$line =~ s/\r?\n$//;
	$body =~ s/^.*?\r?\n\r?\n//s;    # the headers
	$body =~ s/\s+/ /g;
	[$line, substr($body, 0, 300)];
};
if (!$status) {
	my $why = $@;
	$why =~ s/\s+$//;
	print "unhealthy: $why\n";
	exit 1;
}
my ($line, $body) = @$status;
if ($line =~ m{^HTTP/1\.[01] 200 }) {
	exit 0;
}
print "unhealthy: GET /readyz: $line $body\n";
exit 1;
