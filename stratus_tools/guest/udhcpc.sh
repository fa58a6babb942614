#!/bin/sh
# udhcpc hook: configure the address and default route it was given.
case "$1" in
    bound|renew)
        ip -4 addr flush dev "$interface"
        ip addr add "$ip/${mask:-24}" dev "$interface"
        [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
        # Only the first NIC's router becomes the default route.
        [ -n "$router" ] && ! ip route | grep -q ^default \
            && ip route add default via "${router%% *}" dev "$interface"
        ;;
esac
