# Installation layout and the Debian package (CPack DEB): `cmake --build build --target package`
# writes build/eventlake_<version>_<arch>.deb.
#   /usr/bin/eventlake                   RUNPATH /usr/lib/eventlake
#   /usr/lib/eventlake/libduckdb.so      DuckDB's C library, private to eventlake
#   /etc/eventlake/eventlake.toml        default configuration (conffile), from deploy/ when present
#   /lib/systemd/system/*.service        eventlake.service (`up`) and the split-deployment templates
#   /usr/share/doc/eventlake/            README.md, deploy/ (its README, alert rules, dashboard)
# postinst creates the system user `eventlake` and /var/lib/eventlake, and enables eventlake.service.
# Depends is computed by dpkg-shlibdeps from the binary and libduckdb.so.
set(EL_PACKAGE_LIBDIR lib/eventlake)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# An absolute RUNPATH, not $ORIGIN: glibc finds $ORIGIN through /proc/self/exe, which a chroot or a
# container without /proc lacks. The installed binary therefore expects the package's layout.
set_target_properties(eventlake PROPERTIES INSTALL_RPATH "${CPACK_PACKAGING_INSTALL_PREFIX}/${EL_PACKAGE_LIBDIR}")
install(TARGETS eventlake RUNTIME DESTINATION bin)
install(FILES ${EL_DUCKDB_DIR}/lib/libduckdb.so DESTINATION ${EL_PACKAGE_LIBDIR}
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(el_unit_dir ${PROJECT_SOURCE_DIR}/deploy/systemd)
install(FILES ${el_unit_dir}/eventlake.service ${el_unit_dir}/eventlake-broker@.service
              ${el_unit_dir}/eventlake-collector@.service ${el_unit_dir}/eventlake-lander@.service
        DESTINATION /lib/systemd/system)
# The configuration file is written beside this package; until it exists the units pass flags.
set(el_conffiles "")
if(EXISTS ${PROJECT_SOURCE_DIR}/deploy/eventlake.toml)
  install(FILES ${PROJECT_SOURCE_DIR}/deploy/eventlake.toml DESTINATION /etc/eventlake)
  string(APPEND el_conffiles "/etc/eventlake/eventlake.toml\n")
endif()
install(FILES README.md DESTINATION share/doc/eventlake)
install(FILES deploy/README.md deploy/prometheus-alerts.yml deploy/grafana-dashboard.json
        DESTINATION share/doc/eventlake/deploy)

set(el_control_dir ${CMAKE_BINARY_DIR}/debian-control)
file(MAKE_DIRECTORY ${el_control_dir})
set(el_control_files "")
if(el_conffiles)
  file(WRITE ${el_control_dir}/conffiles "${el_conffiles}")
  list(APPEND el_control_files ${el_control_dir}/conffiles)
else()
  file(REMOVE ${el_control_dir}/conffiles)
endif()
foreach(script postinst prerm postrm)
  list(APPEND el_control_files ${el_control_dir}/${script})
  file(COPY ${PROJECT_SOURCE_DIR}/deploy/debian/${script} DESTINATION ${el_control_dir}
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME eventlake)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "eventlake maintainers <eventlake@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "user events from an HTTP tracking API to a Kafka-compatible log to a Parquet lake")
set(CPACK_PACKAGE_DESCRIPTION
    "eventlake runs a Segment-style HTTP collector, a Kafka-wire-compatible broker, a lander that writes\nHive-partitioned Parquet through DuckDB, and SQL queries over the lake, in one binary.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dpkg-shlibdeps runs in the staging tree: the private libduckdb.so is found there.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CPACK_PACKAGING_INSTALL_PREFIX}/${EL_PACKAGE_LIBDIR})
# postinst creates the user with groupadd/useradd.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${el_control_files}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
